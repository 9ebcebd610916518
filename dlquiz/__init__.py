"""dlquiz: deep-learning interview questions, spaced repetition and runnable proofs in the terminal."""

__version__ = "0.1.0"
