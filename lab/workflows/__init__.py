"""Argo workflows of the lab: an offline checker (``lab.workflows.check``) and pictures (``draw``).

Nothing is imported here: the checker loads hera's models, which the picture builder
and the notebooks do not need.
"""
