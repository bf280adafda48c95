"""finbatch: a self-hosted finance-batch service.

One exact subledger, one batch lifecycle, posting to balanced journals, asynchronous exports in
accounting packages' import formats, a native API (``/v1``) and the APIs of five vendor systems
served from the same data. See ARCHITECTURE.md for the map.
"""

__version__ = "0.1.0"
