"""Each case-work feature's requests and views, in its own module: the HTTP layer names them
lazily, so importing the app builds none of them."""
