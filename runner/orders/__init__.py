"""Plans and applies order specs against their target systems.

    planned = plan(["specs/examples"], sandbox=True)     # nothing is placed
    placed = apply(["specs/examples"], sandbox=True)     # each spec's order, placed once

A spec's built-in flow (``runner/flows/<system>.yaml``) runs with the engine, against
the profile's base URL (``orderspec.yaml``) or, with ``sandbox=True``, a local sandbox
started for the run.
"""

from orderspec.orders._apply import ApplyFailed, FailedOrder, PlacedOrder, apply
from orderspec.orders._budget import Budget, BudgetExceeded, Quote
from orderspec.orders._plan import PlannedOrder, plan
from orderspec.orders._profiles import Auth, Profile, ProfileError, default_profile, find_profiles_file, load_profiles, select_profile
from orderspec.orders._sandboxes import SandboxPool
from orderspec.orders._target import OrderError

__all__ = [
    "ApplyFailed",
    "Auth",
    "Budget",
    "BudgetExceeded",
    "FailedOrder",
    "OrderError",
    "PlacedOrder",
    "PlannedOrder",
    "Profile",
    "ProfileError",
    "Quote",
    "SandboxPool",
    "apply",
    "default_profile",
    "find_profiles_file",
    "load_profiles",
    "plan",
    "select_profile",
]
