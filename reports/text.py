def normalise_text(text: str) -> str:
    """Text as stored: Unix line ends (browsers send CRLF), no surrounding blank space."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
