"""jieba, loaded once per process, with the domain terms in reading/data/jieba_terms.txt.

Keywords are matched as words (「村」 must not match 「农村」). The dictionary loads once per process
(about 1 s); its cache lives in VAR_DIR/jieba, a folder the portal can write to.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

TERMS_FILE = Path(__file__).resolve().parent / "data" / "jieba_terms.txt"

_tokenizer: Any = None  # a jieba.Tokenizer (jieba has no type information)
_tokenizer_lock = threading.Lock()


def tokenizer() -> Any:
    """The process's jieba tokenizer with the domain terms, built on first use (about 1 s)."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba
                from django.conf import settings

                jieba.setLogLevel(60)  # its start-up chatter goes to stderr, not to our users
                cache_dir = Path(settings.VAR_DIR) / "jieba"
                cache_dir.mkdir(parents=True, exist_ok=True)
                built = jieba.Tokenizer()
                built.tmp_dir = str(cache_dir)
                built.initialize()
                built.load_userdict(str(TERMS_FILE))
                _tokenizer = built
    return _tokenizer


def words(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) for every jieba word of text. Without HMM: unknown words then fall
    apart into characters, which keyword matching and name finding handle, at twice the speed."""
    return list(tokenizer().tokenize(text, HMM=False))
