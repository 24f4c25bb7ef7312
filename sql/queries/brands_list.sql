-- Every brand's code, in order (a daily report covers each).
SELECT code FROM signalroom.brands ORDER BY code
