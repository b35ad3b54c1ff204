"""``python -m fedtune_site``: run a site with the built-in numpy trainer, with the flags of
``fedtune client`` where they apply."""

import argparse
import logging
import sys

from .errors import SiteError
from .site import Site, default_cache, parse_coordinator


def parse(arguments=None):
    parser = argparse.ArgumentParser(
        prog="python -m fedtune_site",
        description="Run a site: join the coordinator over mutual TLS and fine-tune on local data that never leaves.",
    )
    parser.add_argument("--coordinator", required=True, help="The coordinator as HOST:PORT.")
    parser.add_argument(
        "--identity",
        "--pki",
        dest="identity",
        required=True,
        help="Folder with this site's cert.pem, key.pem and ca.pem (fedtune certs issue SITE).",
    )
    parser.add_argument("--data", required=True, help="This site's labelled CSV file.")
    parser.add_argument("--label", default="label", help="Name of the label column (default: label).")
    parser.add_argument(
        "--cache",
        default=None,
        help="Cache folder; received base models go to its received-models/ (default: $FEDTUNE_CACHE, else ~/.cache/fedtune).",
    )
    parser.add_argument("--evaluation", type=float, default=0.2, help="Share of the data held out for evaluation.")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the local split.")
    parser.add_argument("--retries", type=int, default=120, help="Connection attempts in a row before giving up.")
    parser.add_argument("--wait", type=float, default=600, help="Longest time, in seconds, to keep trying.")
    parser.add_argument(
        "--max-model-bytes", type=int, default=1 << 30, help="Largest base model this site accepts, in bytes."
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    options = parser.parse_args(arguments)
    try:
        parse_coordinator(options.coordinator)
    except ValueError as error:
        parser.error(str(error))
    if not 0 <= options.evaluation < 1:
        parser.error("--evaluation must be in [0, 1)")
    if options.retries < 0 or options.wait < 0 or options.max_model_bytes <= 0:
        parser.error("--retries and --wait must be 0 or more, --max-model-bytes positive")
    return options


def main(arguments=None):
    options = parse(arguments)
    logging.basicConfig(
        level=options.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    cache = f"{options.cache}/received-models" if options.cache else default_cache()
    site = Site(
        options.coordinator,
        options.identity,
        data=options.data,
        label=options.label,
        cache=cache,
        evaluation=options.evaluation,
        seed=options.seed,
        retries=options.retries,
        wait=options.wait,
        max_model_bytes=options.max_model_bytes,
    )
    try:
        rounds = site.run()
    except SiteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("site stopped by signal", file=sys.stderr)
        return 130
    print(f"federation finished after {rounds} rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
