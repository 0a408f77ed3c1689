from taskiq import InMemoryBroker

broker = InMemoryBroker()
