"""One-tap booking (一键预约): the service catalogue, station slots and capacity, bookings and their
statuses, assignment of certified workers, entry confirmation, follow-up calls, ratings and
complaints feeding the credit ledger."""
