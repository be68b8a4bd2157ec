"""The pure core: language ID, normalisation, entity matching, rules.

Nothing under this package may import faust, aiokafka, kafka or prometheus_client: the same code
serves the Faust agents, the batch commands, the tests and the benchmarks.
"""
