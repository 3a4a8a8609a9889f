"""Pictures made with Pillow: posters checked and cut from one upload."""
