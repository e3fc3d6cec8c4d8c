"""The kiosk page: ``page`` (layout and callbacks), ``flow`` (the pure state machine of its
taps) and ``screens`` (each screen drawn from the state); its browser part is assets/kiosk.js."""
