"""The benchmark: the real bot (PTB Application, aiosqlite, the Google/Zoom/OpenAI clients)
against the loopback fakes of ``tests.fakes`` with injected latency. Run ``python -m bench``.
"""
