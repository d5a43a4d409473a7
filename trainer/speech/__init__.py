"""Speech: audio intake, ASR engines, speakers, speech analytics and PII redaction for calls."""
