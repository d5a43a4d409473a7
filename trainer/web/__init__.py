"""The Reflex web app: pages, components and states. Calls only `trainer.services` (and below).

The app object lives in `trainer/trainer.py` because Reflex looks for `<app_name>/<app_name>.py`.
"""
