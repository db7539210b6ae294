
BlogitsJ(æ{ÁÓ?ÂÀÃû¿ÑnÀEC@YBà¿z^?Ö‰-ÁRÐwÀçP&Á