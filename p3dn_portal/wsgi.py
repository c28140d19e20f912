import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p3dn_portal.settings")

application = get_wsgi_application()


def _check_sealing_keys() -> None:
    from django.db import connections

    from procurement.sealing_keys import log_keys_check

    log_keys_check()
    # gunicorn preloads the app in its master: its workers must not inherit this connection.
    connections.close_all()


_check_sealing_keys()
