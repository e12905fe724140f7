"""Infrastructure every package uses: settings, the runtime (the seams tests substitute), database,
clock, queue, logs, i18n, locations, phones, counters, meters, encryption.
May import: flows, hotline.gateways. Never a domain package, hotline.models, web or ops.
"""
