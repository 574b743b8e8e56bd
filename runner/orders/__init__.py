"""Plans and applies order specs against their target systems, in stages that pass values.

    orders = load_orders(["specs/"])                    # validate: nothing is sent
    prepared = prepare(order, label=label)             # profile, flow, credentials
    planned = plan(prepared, Runtime())                # read-only requests; a Plan value
    placed = apply(planned, Runtime())                 # carries out exactly that plan

``plan_specs`` and ``apply_specs`` do all of it for every spec under some paths, as the
CLI does. A ``Runtime`` carries the transport, clock, event sink, journal and state, so
tests, replays and the state store plug in without patching:

    with open_ledger(None, root=Path(".")) as ledger:      # .orderspec/state.db
        runtime = Runtime(state=ledger)
        planned = plan(prepared, runtime)                  # planned.action: create, resume, unchanged, drift, uncertain
        placed = apply(planned, runtime)                   # placed once, however often it runs
"""

from orderspec.orders._apply import PlacedOrder, apply
from orderspec.orders._batch import (
    ApplyFailed,
    FailedOrder,
    OrdersFailed,
    PlanFailed,
    apply_all,
    apply_specs,
    load_orders,
    plan_all,
    plan_specs,
)
from orderspec.orders._budget import Budget, BudgetExceeded, Quote
from orderspec.orders._client import LiveTransport, live, make_client
from orderspec.orders._ledger import Ledger, Secrets, find_orphans, memory_ledger, open_ledger
from orderspec.orders._plan import Plan, plan
from orderspec.orders._prepare import OrderError, Prepared, prepare
from orderspec.orders._runtime import Journal, Runtime, TransportFactory
from orderspec.orders._sandboxes import SandboxPool, pool_for
from orderspec.orders._standing import ACTIONS, TO_DO, Standing, assess
from orderspec.orders._stateful import Interrupted, Uncertain
from orderspec.orders._statejournal import StateJournal
from orderspec.orders._status import OrderStatus, order_statuses

# profiles are their own stage (``orderspec.profiles``); these names stay reachable here too
from orderspec.profiles import Auth, Profile, ProfileError, default_profile, find_profiles_file, load_profiles, select_profile

__all__ = [
    "ACTIONS",
    "TO_DO",
    "ApplyFailed",
    "Auth",
    "Budget",
    "BudgetExceeded",
    "FailedOrder",
    "Interrupted",
    "Journal",
    "Ledger",
    "LiveTransport",
    "OrderError",
    "OrderStatus",
    "OrdersFailed",
    "PlacedOrder",
    "Plan",
    "PlanFailed",
    "Prepared",
    "Profile",
    "ProfileError",
    "Quote",
    "Runtime",
    "SandboxPool",
    "Secrets",
    "Standing",
    "StateJournal",
    "TransportFactory",
    "Uncertain",
    "apply",
    "apply_all",
    "apply_specs",
    "assess",
    "default_profile",
    "find_orphans",
    "find_profiles_file",
    "live",
    "load_orders",
    "load_profiles",
    "make_client",
    "memory_ledger",
    "open_ledger",
    "order_statuses",
    "plan",
    "plan_all",
    "plan_specs",
    "pool_for",
    "prepare",
    "select_profile",
]
