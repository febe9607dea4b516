"""jeplint: a just-enough-privilege linter for Infrastructure as Code."""

__version__ = "0.1.0"
HOMEPAGE = "https://github.com/jeplint/jeplint"
