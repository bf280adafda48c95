"""One module per export format; each exposes a ``Writer`` subclass registered in ``registry``."""
