"""Sign-in lockouts (DESIGN §7): repeated wrong passwords lock the account and the address
out for a while; django-axes counts the failures, this package shows and clears them."""
