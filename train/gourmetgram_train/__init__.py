"""gourmetgram-train: a service that trains, evaluates and registers the Food-11 model."""
