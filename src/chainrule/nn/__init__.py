"""Neural-network building blocks. ``chainrule.nn.scalar`` holds micrograd's MLP on ``Value``."""
