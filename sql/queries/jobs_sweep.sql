SELECT signalroom.sweep_jobs()
