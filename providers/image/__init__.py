"""Image generation through the same job machinery as video: Runware imageInference, RunwayML
text_to_image."""
