"""ASR engines behind one interface, one file each, registered by name."""
