"""Train the event classifier (and optionally rebuild the CAMEO verb table).

    .venv/bin/python scripts/train_events.py [--petrarch ../shared/dictionaries/petrarch2]

A thin wrapper around `python -m crosswire.extract.events.train`; see there.
"""
from crosswire.extract.events.train import main

if __name__ == "__main__":
    main()
