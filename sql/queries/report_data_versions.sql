-- Every family's data version (the watcher's refresh).
SELECT area, version FROM signalroom.data_versions
