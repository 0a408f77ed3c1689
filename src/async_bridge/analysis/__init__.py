"""One module, analysed: the walk, bindings, the value model, function facts, ORM and loop facts,
execution contexts, and the module summary the project index keeps. Never imports ``index``."""
