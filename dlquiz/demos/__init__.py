"""'Prove it' demos: small NumPy programs that show an answer's claim is true."""

from dlquiz.demos.registry import (  # noqa: F401
    Check,
    Demo,
    DemoResult,
    Param,
    Plot,
    Series,
    Table,
    all_demos,
    demo,
    for_question,
    get,
)
