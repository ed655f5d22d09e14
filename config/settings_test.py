"""Test settings: the real settings plus a tiny state machine app for the engine's own tests."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "oms.core.tests.machine"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
