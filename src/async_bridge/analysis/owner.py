"""The back-reference a model keeps to the module analysis that owns it.

A weak proxy: the analysis owns its models (values, function facts, contexts), so a
strong reference back would make a cycle, and every analysed tree would wait for a
full garbage collection to be freed instead of going when its last user lets go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast
from weakref import ProxyType, proxy

if TYPE_CHECKING:
    from .module import ModuleAnalysis


def owner(analysis: "ModuleAnalysis") -> "ModuleAnalysis":
    if isinstance(analysis, ProxyType):
        return analysis
    return cast("ModuleAnalysis", proxy(analysis))
