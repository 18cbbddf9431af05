"""Video generation: Runware (an aggregator of many vendors' video models), RunwayML, and a
DiffusionRouter placeholder (no public API exists). The job machinery in `jobs` is shared with
`providers.image`."""
