"""The lab's one model of Argo Workflows v3.6.5: documents, templates, variables, validation.

The checker (``lab.workflows``), the rehearsal (``lab.rehearsal``) and the workflow
pictures all read Argo YAML through this package. Nothing is imported here.
"""
