"""Workers, companies, the 安心服務證 certificate, credit levels and the 安心碼 scan."""
