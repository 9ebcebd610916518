"""Code drills: the candidate writes BN backward, an optimizer step or a loss, and a local judge says
exactly what is wrong.

- ``spec``: what a drill is (functions to write, cases, the reference, known mistakes) and how outputs
  are compared;
- ``bn``, ``optim``, ``losses``, ``cnn``: the drills, one module per topic, beside the kernels they
  mirror;
- ``judge``: runs the checks on loaded functions and names the mistake the user's output matches;
- ``runner``: the subprocess entry point that loads the user's file under time and memory limits;
- ``workspace``: the files ``dlquiz code start`` writes and ``check`` reads.

The task texts (en/zh), hints and explanations live in the YAML banks as drills of type ``code``; this
package holds only code, so content never carries code that runs.
"""
