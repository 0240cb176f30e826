"""Layer 1: the IBM System/360 Model 67 -- storage, CPU, DAT, channels, devices.

Nothing in this package knows about CP, CMS or terminals.
"""
