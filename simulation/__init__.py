"""A discrete-event model of a hall's days, played through the use cases: demo data, benchmarks,
planning (``hallq simulate``, ``bench/``)."""
