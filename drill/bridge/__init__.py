"""Bridge sites: a drill served to many consoles, one per team, over the network.

The server owns the session and its log; consoles (a terminal, or a browser through
textual-serve) are clients that receive what their seat may see and send decisions.
"""
