"""Where a page's time goes, in process: each middleware layer's own time (the time inside
it less the layers within, plus its process_view hooks) and the view's, per request; then
the functions of the portal, the templates and the libraries it calls that cost the most."""

import cProfile
import pstats
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.test import Client, override_settings
from django.utils.module_loading import import_string

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ("process_view", "process_template_response", "process_exception")
# Library code worth naming in the profile beside the portal's own.
LIBRARIES = (
    "crispy_forms",
    "django/template",
    "django/contrib/sessions",
    "django/contrib/auth",
    "django_otp",
    "django/middleware",
    "csp",
    "axes",
    "simple_history",
    "whitenoise",
)

# Frames that only pass the call on (their time is their callees').
WRAPPERS = ("django/template/base.py", "django/template/loader_tags.py", "defaulttags.py",
            "django/template/backends", "django/template/loader.py")  # fmt: skip

_layers: list[str] = []
_inside: defaultdict[int, float] = defaultdict(float)
_hooks: defaultdict[int, float] = defaultdict(float)


class _Timed:
    """One middleware, with the time spent inside it (and in its hooks) added up."""

    def __init__(self, index: int, get_response: Callable) -> None:
        self.index = index
        self.inner = import_string(_layers[index])(get_response)

    def __call__(self, request):
        start = time.perf_counter()
        try:
            return self.inner(request)
        finally:
            _inside[self.index] += time.perf_counter() - start

    def __getattr__(self, name: str):
        hook = getattr(self.inner, name)
        if name not in HOOKS:
            return hook

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return hook(*args, **kwargs)
            finally:
                _hooks[self.index] += time.perf_counter() - start

        return timed


def __getattr__(name: str) -> Callable:
    """`layer_<n>`: the factory of the n-th middleware of MIDDLEWARE, timed."""
    if name.startswith("layer_"):
        index = int(name.removeprefix("layer_"))
        return lambda get_response: _Timed(index, get_response)
    raise AttributeError(name)


def layer_costs(client: Client, url: str, requests: int) -> list[tuple[str, float]]:
    """(layer, ms per request), outermost first, then the view (with templates)."""
    _layers[:] = settings.MIDDLEWARE
    _inside.clear()
    _hooks.clear()
    timed = [f"{__name__}.layer_{n}" for n in range(len(_layers))]
    with override_settings(MIDDLEWARE=timed):
        probe = Client(**client.defaults)
        probe.cookies = client.cookies
        for _ in range(requests):
            probe.get(url)
    # Every layer's hooks run inside the innermost layer, after the layers' own work.
    inside = [_inside[n] for n in range(len(_layers))]
    view = inside[-1] - sum(_hooks.values())
    own = [inside[n] - inside[n + 1] + _hooks[n] for n in range(len(_layers) - 1)]
    own.append(_hooks[len(_layers) - 1])
    per_request = [
        (layer, seconds * 1000 / requests) for layer, seconds in zip(_layers, own, strict=True)
    ]
    return [*per_request, ("the view (and its templates)", view * 1000 / requests)]


def hot_functions(client: Client, url: str, requests: int, top: int = 25):
    """(function, calls per request, cumulative ms per request) of the portal's code and the
    libraries named above, the costliest first."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    rows = []
    for (file, line, function), (_, calls, _, cumulative, _) in stats.items():
        ours = file.startswith(str(ROOT)) and "/.venv/" not in file
        if not ours and not any(f"/{library}/" in file for library in LIBRARIES):
            continue
        if any(wrapper in file for wrapper in WRAPPERS) or "middleware" in file:
            continue  # the template engine's and the middleware's own frames: see above
        where = file.split("site-packages/")[-1].removeprefix(str(ROOT) + "/")
        rows.append((f"{where}:{line} {function}", calls / requests, cumulative * 1000 / requests))
    rows.sort(key=lambda row: -row[2])
    return rows[:top]


def print_profile(client: Client, url: str, requests: int = 200) -> None:
    client.get(url)  # warm: templates compiled, connections open
    print(f"# profile of {url} over {requests} requests, in process (ms per request):")
    for layer, ms in layer_costs(client, url, requests):
        print(f"#   layer {ms:7.2f} ms  {layer}")
    for function, calls, ms in hot_functions(client, url, requests):
        print(f"#   call  {ms:7.2f} ms  {calls:6.1f}x  {function}")
