"""Argo workflows of the lab: an offline checker (``lab.workflows.check``) and pictures (``draw``).

Both read Argo YAML through the one Argo model, :mod:`lab.argo`. Nothing is imported here.
"""
