from kgan.callbacks.image_grid import ImageGrid
__all__ = ["ImageGrid"]
