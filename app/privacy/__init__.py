"""Personal data (152-ФЗ): withdrawal of consent and the retention period."""
