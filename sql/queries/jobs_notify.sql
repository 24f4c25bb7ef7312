SELECT signalroom.notify_jobs()
