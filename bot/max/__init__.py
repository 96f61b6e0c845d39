"""The MAX edge: MAX updates in, the same use cases and screens as Telegram, MAX messages out."""
