"""The hall's domain: queues, tickets, windows and their rules. No Dash, no Flask, no printers."""
