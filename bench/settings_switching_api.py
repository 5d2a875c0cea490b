"""Settings of the servers `bench/switching_api.py` starts: the project's, with the API mounted.

Until kouiki/urls.py includes the switching API, the benchmark serves it through
`bench/switching_api_urls.py`; afterwards this module changes nothing.
"""

from kouiki.settings import *  # noqa: F403

ROOT_URLCONF = "bench.switching_api_urls"
