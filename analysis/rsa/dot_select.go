package rsa

// dotTile is the Gram tile kernel; an architecture-specific file may
// replace it at init.
var dotTile = dotTileGonum
