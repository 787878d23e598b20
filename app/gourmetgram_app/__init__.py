"""GourmetGram serving app: classifies a food photo into one of the Food-11 classes."""
