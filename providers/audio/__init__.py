"""Speech: Deepgram and ElevenLabs codecs (pure), audio sniffing and formats, and the calls that send them."""
