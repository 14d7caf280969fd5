"""Generated inputs with known truth: the demo inbox (demo), broken and hostile files (hostile), the theme
seed set and held-out proposals (themes), all on one list of Kota Malang units and places (malang)."""
