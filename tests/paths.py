"""Where the tests' own data lives: everything a test reads is inside the repository."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
#: Real records from public sources (tests/fixtures/corpus/MANIFEST.md says where each is from).
CORPUS = FIXTURES / "corpus"
