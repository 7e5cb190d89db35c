"""How a product's CI posts evidence (DESIGN §6.5, §6.6): one page per product, in the
reader's language, with its item codes and keys, its address, and ready-to-paste steps."""
